// The graphql-http server audit (npm) against /graphql: every MUST and
// every SHOULD of GraphQL over HTTP passes; MAYs are reported, not judged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditServer } from 'graphql-http';
import { startGateway } from './lib.mjs';

test('GraphQL over HTTP: the graphql-http audit passes every MUST and SHOULD', { timeout: 60_000 }, async (t) => {
  const gw = await startGateway();
  t.after(async () => { await gw.stop(); });
  const results = await auditServer({ url: gw.url + '/graphql' });
  assert.ok(results.length > 40, `the audit ran ${results.length} checks`);
  const failed = results.filter((r) => r.status !== 'ok' && !r.name.startsWith('MAY'));
  assert.deepEqual(failed.map((r) => `${r.status} ${r.id} ${r.name}: ${r.reason ?? ''}`), []);
});
