// Many short strings held as a few long ones: a year's ERP documents carry a million document numbers, and as a
// million string objects they were marked again by every major garbage collection for the whole step. Each text is
// a slice of a chunk, made when it is read.

/** Texts per chunk before it is joined: bounds the parts list and the slices' parents. */
const CHUNK_CHARS = 1 << 16;

export class PackedTexts {
  length = 0;
  private readonly chunks: string[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private chunkOf = new Uint32Array(1024);
  private startOf = new Uint32Array(1024);
  /** The text's length; −1 for null. */
  private lengthOf = new Int32Array(1024);

  push(text: string | null): void {
    const i = this.length;
    if (i === this.lengthOf.length) this.grow();
    if (text === null) this.lengthOf[i] = -1;
    else {
      this.chunkOf[i] = this.chunks.length;
      this.startOf[i] = this.pendingChars;
      this.lengthOf[i] = text.length;
      this.pending.push(text);
      this.pendingChars += text.length;
      if (this.pendingChars >= CHUNK_CHARS) this.flush();
    }
    this.length = i + 1;
  }

  get(i: number): string | null {
    if (i < 0 || i >= this.length) return null;
    const n = this.lengthOf[i]!;
    if (n < 0) return null;
    const c = this.chunkOf[i]!;
    if (c === this.chunks.length) this.flush();
    const start = this.startOf[i]!;
    return this.chunks[c]!.slice(start, start + n);
  }

  private flush(): void {
    if (!this.pending.length) return;
    this.chunks.push(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }

  private grow(): void {
    const n = this.lengthOf.length * 2;
    const chunkOf = new Uint32Array(n);
    chunkOf.set(this.chunkOf);
    this.chunkOf = chunkOf;
    const startOf = new Uint32Array(n);
    startOf.set(this.startOf);
    this.startOf = startOf;
    const lengthOf = new Int32Array(n);
    lengthOf.set(this.lengthOf);
    this.lengthOf = lengthOf;
  }
}
