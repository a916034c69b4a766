import Fastify from 'fastify';

// A bare Fastify() with two trivial JSON routes shaped like claim and submit: the HTTP ceiling the
// work section compares with. Listens on 127.0.0.1 port 0 and sends {port} over IPC.

const app = Fastify({ logger: false });
let next = 0;
app.post('/claim', async () => ({ assignment: { id: String(++next), task: { id: String(next), type: 'categorization' } } }));
app.post('/submit/:id', async () => ({ ok: true }));
await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ port: (app.server.address() as { port: number }).port });
process.once('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});
