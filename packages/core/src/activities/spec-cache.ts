import type { AgentSpec } from '../agent/spec.ts';
import type { BlobStore } from '../transcript/blob-store.ts';

/** Agent specs by key, read from the blob store once per worker: a run's calls all carry the same key. */
export class SpecCache {
  private readonly specs = new Map<string, AgentSpec>();

  constructor(private readonly blobs: BlobStore) {}

  async get(ref: string): Promise<AgentSpec> {
    let spec = this.specs.get(ref);
    if (!spec) {
      spec = JSON.parse(await this.blobs.get(ref)) as AgentSpec;
      this.specs.set(ref, spec);
    }
    return spec;
  }
}
