import type { Adjustments, ModelManifest } from './types';

/** Validates the model manifest (models/<id>.json); every field the engine reads is checked here. */
export function parseManifest(json: unknown): ModelManifest {
  const root = obj(json, 'manifest');
  const input = obj(root.input, 'input');
  const outputs = obj(root.outputs, 'outputs');
  const tOut = obj(outputs.transmission, 'outputs.transmission');
  const aOut = obj(outputs.airlight, 'outputs.airlight');
  const recon = obj(root.reconstruction, 'reconstruction');
  const gf = obj(recon.guidedFilter, 'reconstruction.guidedFilter');
  const defaults = obj(root.defaults, 'defaults');
  const detail = recon.detail === undefined ? null : obj(recon.detail, 'reconstruction.detail');
  const floor = recon.airlightFloor === undefined ? null : obj(recon.airlightFloor, 'reconstruction.airlightFloor');

  const resample = str(input.resample, 'input.resample');
  if (resample !== 'area') throw new Error(`manifest: input.resample "${resample}" is not supported (only "area")`);
  const pad = str(input.pad, 'input.pad');
  if (pad !== 'edge') throw new Error(`manifest: input.pad "${pad}" is not supported (only "edge")`);
  const guide = str(recon.guide, 'reconstruction.guide');
  if (guide !== 'luma709') throw new Error(`manifest: reconstruction.guide "${guide}" is not supported (only "luma709")`);
  const kind = str(aOut.kind, 'outputs.airlight.kind');
  if (kind !== 'global') throw new Error(`manifest: outputs.airlight.kind "${kind}" is not supported (only "global")`);
  if (gf.radiusOf !== undefined && gf.radiusOf !== 'networkLongSide') {
    throw new Error(`manifest: reconstruction.guidedFilter.radiusOf "${String(gf.radiusOf)}" is not supported`);
  }

  return {
    id: str(root.id, 'id'),
    version: str(root.version, 'version'),
    file: str(root.file, 'file'),
    input: {
      name: str(input.name, 'input.name'),
      maxSide: int(input.maxSide, 'input.maxSide', 1),
      multiple: int(input.multiple, 'input.multiple', 1),
      resample: 'area',
      pad: 'edge',
    },
    outputs: {
      transmission: { name: str(tOut.name, 'outputs.transmission.name') },
      airlight: { name: str(aOut.name, 'outputs.airlight.name'), kind: 'global' },
    },
    reconstruction: {
      t0: num(recon.t0, 'reconstruction.t0', 1e-6, 1),
      guide: 'luma709',
      guidedFilter: {
        radiusFraction: num(gf.radiusFraction, 'reconstruction.guidedFilter.radiusFraction', 0, 1),
        epsilon: num(gf.epsilon, 'reconstruction.guidedFilter.epsilon', 1e-12, 10),
      },
      detail: detail === null ? null : { epsilon: num(detail.epsilon, 'reconstruction.detail.epsilon', 1e-12, 10) },
      airlightFloor:
        floor === null
          ? null
          : {
              share: num(floor.share, 'reconstruction.airlightFloor.share', 1e-6, 0.5),
              maxTransmission: num(floor.maxTransmission, 'reconstruction.airlightFloor.maxTransmission', 0, 1),
            },
    },
    defaults: {
      strength: num(defaults.strength, 'defaults.strength', -100, 100),
      distance: num(defaults.distance, 'defaults.distance', -100, 100),
      protect: num(defaults.protect, 'defaults.protect', 0, 100),
      exposure: num(defaults.exposure, 'defaults.exposure', -100, 100),
    } satisfies Adjustments,
  };
}

/** Name used in docs/ARCHITECTURE.md. */
export const loadManifest = parseManifest;

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`manifest: ${path} must be an object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new Error(`manifest: ${path} must be a non-empty string`);
  return v;
}

function num(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`manifest: ${path} must be a finite number`);
  if (v < min || v > max) throw new Error(`manifest: ${path} = ${v} is outside [${min}, ${max}]`);
  return v;
}

function int(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`manifest: ${path} must be an integer >= ${min}`);
  return v;
}
