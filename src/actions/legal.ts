// Actions for legal.
export const legal = {};
