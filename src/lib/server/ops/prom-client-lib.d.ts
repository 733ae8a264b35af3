// prom-client's class files, imported one by one in metrics.ts (the package's index loads more
// than we use); the package types only its index, whose types these files' exports are.
declare module "prom-client/lib/counter.js" {
  import type { Counter } from "prom-client";
  const C: typeof Counter;
  export default C;
}
declare module "prom-client/lib/gauge.js" {
  import type { Gauge } from "prom-client";
  const G: typeof Gauge;
  export default G;
}
declare module "prom-client/lib/histogram.js" {
  import type { Histogram } from "prom-client";
  const H: typeof Histogram;
  export default H;
}
declare module "prom-client/lib/registry.js" {
  import type { Registry } from "prom-client";
  const R: typeof Registry;
  export default R;
}
