// Actions for articles.
export const articles = {};
