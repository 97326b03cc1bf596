// Astro Actions, one module per capability (accept: 'form', thin: validate, ask policy, call domain).
import { accounts } from './accounts.ts';
import { teams } from './teams.ts';
import { events } from './events.ts';
import { hours } from './hours.ts';
import { honors } from './honors.ts';
import { articles } from './articles.ts';
import { legal } from './legal.ts';
import { settings } from './settings.ts';
import { orders } from './orders.ts';
import { points } from './points.ts';
import { services } from './services.ts';
import { households } from './households.ts';

export const server = { accounts, teams, events, hours, honors, articles, legal, settings, orders, points, services, households };
