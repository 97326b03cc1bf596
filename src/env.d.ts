/// <reference types="astro/client" />
declare namespace App {
  interface Locals {
    user: import('./domain/accounts/sessions.ts').SessionUser | null;
    session: import('./domain/accounts/sessions.ts').Session | null;
    largeType: boolean;
    requestId: string;
  }
}
