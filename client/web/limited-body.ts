// A request body read up to a limit: the codec server and SCIM take JSON from bearer-token callers
// and stop reading the moment a body outgrows what they accept (nothing more is buffered).

/** Reads at most `max` bytes of the body; undefined when it is longer (nothing more is read). */
export async function readLimited(req: Request, max: number): Promise<string | undefined> {
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) return undefined;
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
