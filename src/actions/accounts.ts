// Actions for accounts.
export const accounts = {};
