/// <reference types="astro/client" />
declare namespace App {
  interface Locals {
    user: import('./domain/accounts/sessions.ts').SessionUser | null;
    session: import('./domain/accounts/sessions.ts').Session | null;
    /** The signed-in user's unread notices, read with the session (0 when signed out). */
    unread: number;
    largeType: boolean;
    /** This request's site settings, read once (lib/request-settings.ts). */
    settings?: Promise<import('./domain/settings/index.ts').Settings>;
    requestId: string;
    /** The submitted form of a form-posted Action, to refill fields after an error. */
    formData: FormData | null;
    /** The session lookup src/server/signup-form.ts did before handing the request on (absent otherwise). */
    checkedSession?: import('./domain/accounts/sessions.ts').SessionCheck;
    /** The refusal src/server/signup-form.ts already got from the domain for this form-posted Action (shown, not asked again). */
    formRefusal?: { action: string; refusal: import('./domain/refusal.ts').Refusal };
    /** What the event page showed (its read and whether sign-up was open), for src/server/signup-refusal-page.ts. */
    eventPageShown?: { row: import('./domain/events/public.ts').EventPage; open: boolean };
    /** A small url-encoded form body, read once by src/server/http-server.ts (absent for other requests). */
    rawForm?: Uint8Array;
    /** Resolves when the response can take more bytes or the client left (src/server/http-server.ts); a streamed body's backpressure. */
    clientReady?: () => Promise<void>;
    /** The result of the form-posted Action this request ran, keyed like `String(actions.x.y)` (see lib/forms.ts actionResult). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one slot for every Action's result; pages narrow it through lib/forms.ts
    formResult: { key: string; result: import('astro:actions').SafeResult<any, any> } | null;
    /** Set by lib/guards.ts forbidden(): the abilities the page needed, so the 403 page names the roles and who grants them. */
    forbiddenFor?: import('./domain/accounts/policy.ts').Ability[];
    /** Set by lib/guards.ts forbiddenToNonLeader(): the team whose leaders alone may open the page. */
    forbiddenTeam?: string;
    /** The village role a 403 page names (村积分管理员, 评议员) and who grants it. */
    forbiddenVillage?: string;
  }
}
