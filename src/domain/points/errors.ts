// Refusals of the points capability (文明积分, 积分超市): formAction turns them into ActionErrors (docs/decisions/075).
import { Refusal, type RefusalStatus } from '../refusal.ts';

/** A refused points or shop operation with a Chinese message for the user. */
export class PointsError extends Refusal {
  constructor(status: RefusalStatus, message: string, field?: string) {
    super(status, message, field);
    this.name = 'PointsError';
  }
}
