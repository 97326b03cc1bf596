// Actions for hours.
export const hours = {};
