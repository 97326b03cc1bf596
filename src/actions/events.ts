// Actions for events.
export const events = {};
