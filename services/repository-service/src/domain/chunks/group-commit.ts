/**
 * Whether chunks are written in batches now, and how large (docs/upload.md, "Group commit of small
 * chunks"). Off while a repository instance of an earlier release is alive: it would read a chunk
 * staged in a batch as if it had an object of its own (a rolling upgrade under way). Until the first
 * word on the other instances, off.
 */
export class GroupCommit {
  private everyoneReadsBatches = false;

  constructor(
    private readonly configuredBytes: number,
    private readonly onChange: (on: boolean) => void = () => undefined,
  ) {}

  /** The bytes a batch may hold now; 0: every chunk is written alone. */
  batchBytes(): number {
    return this.everyoneReadsBatches ? this.configuredBytes : 0;
  }

  /** What the heartbeat learnt of the live instances. */
  peersSeen(everyoneReadsBatches: boolean): void {
    if (everyoneReadsBatches === this.everyoneReadsBatches) return;
    this.everyoneReadsBatches = everyoneReadsBatches;
    if (this.configuredBytes > 0) this.onChange(everyoneReadsBatches);
  }
}
