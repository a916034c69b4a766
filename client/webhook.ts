/** Standard-Webhooks signature check with Web Crypto, so it runs in Node and in browsers. */
function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** True when a `v1,` signature in the header matches HMAC-SHA256(secret, `${id}.${timestamp}.${body}`) and the timestamp is fresh. */
export async function verifyWebhook(secret: string, h: { id: string; timestamp: string; signature: string }, body: string, nowSeconds: number, toleranceSeconds = 300): Promise<boolean> {
  const ts = Number(h.timestamp);
  if (!h.id || !Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const keyBytes = base64ToBytes(secret.startsWith('whsec_') ? secret.slice(6) : secret);
  const key = await globalThis.crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${h.id}.${ts}.${body}`)));
  const expected = `v1,${bytesToBase64(mac)}`;
  // Compare without an early exit, so timing tells nothing about the signature.
  return h.signature.split(' ').some((candidate) => {
    if (candidate.length !== expected.length) return false;
    let diff = 0;
    for (let i = 0; i < candidate.length; i++) diff |= candidate.charCodeAt(i) ^ expected.charCodeAt(i);
    return diff === 0;
  });
}
