// Actions for teams.
export const teams = {};
