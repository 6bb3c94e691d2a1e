import { openStore } from '/work/main/src/voices/store.ts';
for (const url of ['redis://bot:hunter2@127.0.0.1:6398/0', 'redis://:hunter2@127.0.0.1:6399', 'redis://10.255.255.1:6379', 'sqlite:///proc/nope/x.sqlite', 'ftp://a:b@c']) {
  const t = Date.now();
  try { const s = await openStore(url); await s.close(); console.log('ok', url); } catch (e) { console.log(Date.now() - t, 'ms', (e as Error).message); }
}
