/** @module The `process` runtime's image service: it records image names and never pulls (containers run host binaries). */
import { createHash } from 'node:crypto';
import type { ImageInfo, ImageRef, ImageService } from '../interface.ts';

/** Records image names; nothing is downloaded (the process runtime runs host binaries). */
export class RecordedImages implements ImageService {
  private readonly names = new Map<string, ImageInfo>();
  async pullImage(name: string): Promise<ImageRef> {
    const info = (await this.imageStatus(name)) ?? { name, id: `sha256:${createHash('sha256').update(name).digest('hex')}`, sizeBytes: 0, repoTags: [name] };
    this.names.set(name, info);
    return { name: info.name, id: info.id };
  }
  async imageStatus(name: string): Promise<ImageInfo | undefined> {
    return this.names.get(name);
  }
  async listImages(): Promise<ImageInfo[]> {
    return [...this.names.values()];
  }
  async removeImage(name: string): Promise<void> {
    this.names.delete(name);
  }
}
