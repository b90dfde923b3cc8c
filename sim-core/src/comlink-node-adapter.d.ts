// comlink ships its Node adapter without an .mjs declaration file.
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";
  export default function nodeEndpoint(nep: unknown): Endpoint;
}
