/** The package ships no types; its output follows prom2json's JSON shape. */
declare module "parse-prometheus-text-format" {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
