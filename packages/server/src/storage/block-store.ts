/**
 * Blocks between users: `userId` blocked `blockedId`. A block is one row, stored once; setting
 * it twice, or clearing one that is not there, changes nothing and says so.
 */
export interface BlockStore {
  /** Blocks (`on`) or unblocks; resolves to whether anything changed. */
  setBlock(userId: number, blockedId: number, on: boolean): Promise<boolean>;
  /** The ids the user blocked, ascending. */
  blockedBy(userId: number): Promise<number[]>;
  /** Whether the user blocked any of `others`, or any of them blocked the user. */
  blockedEitherWay(userId: number, others: readonly number[]): Promise<boolean>;
}
