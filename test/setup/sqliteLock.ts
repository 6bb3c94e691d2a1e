import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** A lock another process holds on a SQLite file. */
export interface HeldLock {
  /** Commits and closes in the other process; resolves once it has exited. */
  release(): Promise<void>;
}

/**
 * Takes an exclusive lock on a SQLite file in a second process (`BEGIN EXCLUSIVE`, held until released), as a
 * long write by another program would. It must be another process: SQLite's POSIX locks do not block the
 * process that holds them.
 */
export async function holdSqliteLock(path: string): Promise<HeldLock> {
  const script = `
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    process.stdin.on('end', () => { db.exec('COMMIT'); db.close(); });
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script, path]);
  const failed = once(child, 'exit').then(([code]) => {
    throw new Error(`the lock holder exited with code ${String(code)} before locking ${path}`);
  });
  await Promise.race([once(child.stdout, 'data'), failed]);
  failed.catch(() => undefined);
  return {
    async release() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}
