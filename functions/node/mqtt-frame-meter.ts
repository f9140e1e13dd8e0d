// A size limit on incoming MQTT packets, enforced on the byte stream before aedes parses anything: aedes
// (mqtt-packet) buffers a packet whole, whatever its declared length, even before CONNECT is authenticated. The
// meter reads each fixed header's Remaining Length and ends the connection at the first packet over the limit.
import { Duplex, Transform, type TransformCallback } from 'node:stream';

/** Before CONNECT is accepted: a CONNECT with username, password and a small Will fits easily. */
export const MAX_FIRST_PACKET = 64 * 1024;
/** Afterwards, per identity (the broker raises it for the control plane: desired documents of big hosts). */
export const MAX_HOST_PACKET = 1024 * 1024;
export const MAX_CONTROL_PACKET = 16 * 1024 * 1024;

export class FrameMeter extends Transform {
  /** The limit for packets after the first one (set when the client is authenticated). */
  max = MAX_HOST_PACKET;
  private first = true;
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly onTooBig: (declared: number, limit: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'type') {
        i++;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === 'length') {
        const b = chunk[i++];
        this.length += (b & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes++;
        if (b & 0x80 && this.lengthBytes < 4) continue;
        const limit = this.first ? MAX_FIRST_PACKET : this.max;
        if (this.length > limit || b & 0x80) {
          this.onTooBig(this.length, limit);
          return done(new Error(`MQTT packet of ${this.length} bytes is over the limit of ${limit}`));
        }
        this.first = false;
        this.remaining = this.length;
        this.state = this.remaining === 0 ? 'type' : 'body';
      } else {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'type';
      }
    }
    done(null, chunk);
  }
}

/** The connection aedes gets: reads through the meter, writes straight to the socket; either side ending ends both. */
export function metered(socket: Duplex, onTooBig: (declared: number, limit: number) => void): { stream: Duplex; meter: FrameMeter } {
  const meter = new FrameMeter(onTooBig);
  socket.pipe(meter);
  meter.on('error', () => socket.destroy());
  const stream = Duplex.from({ readable: meter, writable: socket });
  stream.on('close', () => socket.destroy());
  socket.on('close', () => stream.destroy());
  return { stream, meter };
}
