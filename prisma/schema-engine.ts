// Prisma's schema engine compiled to WASM, driven through a driver adapter: it applies and
// creates migrations with no native binary to download. The package's own entry imports the
// .wasm file as an ES module, which Node 20 cannot do, so it is instantiated here by hand.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';

let loaded: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const glue = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const path = fileURLToPath(glue.replace(/\.js$/, '.wasm'));
    const { instance } = await WebAssembly.instantiate(await readFile(path), {
      './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return loaded;
}

export type EngineLog = (message: string) => void;

export async function openSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  datamodel: { path: string; content: string },
  log: EngineLog = () => {},
): Promise<SchemaEngine> {
  await loadWasm();
  const adapter = bindMigrationAwareSqlAdapterFactory(adapterFactory);
  return (bindings.SchemaEngine as typeof SchemaEngine).new(
    { datamodels: [[datamodel.path, datamodel.content]] },
    (line: string) => log(line),
    adapter,
  );
}
