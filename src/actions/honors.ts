// Actions for honors.
export const honors = {};
