// One SQLite connection per process, shared safely by concurrent requests.
//
// @prisma/adapter-better-sqlite3 serialises transactions with a mutex, but a query made
// outside a transaction does not wait for it: it runs on the same connection, i.e. INSIDE
// whatever transaction is open at that moment, and vanishes if that transaction rolls back.
// This wrapper makes every statement, in or out of a transaction, take the same lock, so a
// plain query waits for the open transaction to finish.
import "server-only";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";

class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves with a release function once every earlier holder has released. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => released);
    return acquired;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

function serialise(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const lock = new Mutex();
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => lock.run(() => adapter.queryRaw(query)),
    executeRaw: (query) => lock.run(() => adapter.executeRaw(query)),
    executeScript: (script) => lock.run(() => adapter.executeScript(script)),
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    dispose: () => lock.run(() => adapter.dispose()),
    async startTransaction(isolationLevel) {
      const release = await lock.acquire();
      let tx: Transaction;
      try {
        tx = await adapter.startTransaction(isolationLevel);
      } catch (err) {
        release();
        throw err;
      }
      // Held until the transaction ends; statements of the transaction itself go straight
      // to `tx`, which does not take the lock.
      let done = false;
      const end = async (finish: () => Promise<void>) => {
        try {
          await finish();
        } finally {
          if (!done) {
            done = true;
            release();
          }
        }
      };
      return {
        provider: tx.provider,
        adapterName: tx.adapterName,
        options: tx.options,
        queryRaw: (query) => tx.queryRaw(query),
        executeRaw: (query) => tx.executeRaw(query),
        commit: () => end(() => tx.commit()),
        rollback: () => end(() => tx.rollback()),
        createSavepoint: tx.createSavepoint?.bind(tx),
        rollbackToSavepoint: tx.rollbackToSavepoint?.bind(tx),
        releaseSavepoint: tx.releaseSavepoint?.bind(tx),
      };
    },
  };
}

export function serialisedSqliteFactory(inner: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => serialise(await inner.connect()),
    connectToShadowDb: async () => serialise(await inner.connectToShadowDb()),
  };
}
