// The worker's one compute slot: a round trains only while it holds it (rounds share one CPU thread, so two
// computing at once would only each go slower). A round waiting for people's labels gives it up, so other
// experiments' rounds run meanwhile, and takes it back (in turn, first come first served) to train.

export class ComputeSlot {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  /** Resolves when the caller holds the slot. */
  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiter, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }

  get busy(): boolean {
    return this.held;
  }
}
