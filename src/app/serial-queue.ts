/**
 * Runs async tasks one at a time, in the order they were queued: a task starts only after the one
 * before it settled (a failed task does not stop the queue). Each caller gets its own task's result.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Tasks queued or running. */
  get pending(): number {
    return this.queued;
  }

  run<T>(task: () => T | Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(task).finally(() => this.queued--);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
