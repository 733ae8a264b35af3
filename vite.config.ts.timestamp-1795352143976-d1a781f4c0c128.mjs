import "node:module";
import { sveltekit } from "file:///work/wt/ops/node_modules/@sveltejs/kit/src/exports/vite/index.js";
import tailwindcss from "file:///work/wt/ops/node_modules/@tailwindcss/vite/dist/index.mjs";
import { defineConfig } from "file:///work/wt/ops/node_modules/vite/dist/node/index.js";
var vite_config_default = defineConfig({
	plugins: [tailwindcss(), sveltekit()],
	server: { watch: { ignored: [
		"**/data/**",
		"**/.deno-deploy/**",
		"**/tests/**"
	] } }
});
export { vite_config_default as default };

//# sourceMappingURL=data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozLCJmaWxlIjoidml0ZS5jb25maWcuanMiLCJuYW1lcyI6W10sInNvdXJjZXMiOlsiL3dvcmsvd3Qvb3BzL3ZpdGUuY29uZmlnLnRzIl0sInNvdXJjZXNDb250ZW50IjpbImltcG9ydCB7IHN2ZWx0ZWtpdCB9IGZyb20gXCJAc3ZlbHRlanMva2l0L3ZpdGVcIjtcbmltcG9ydCB0YWlsd2luZGNzcyBmcm9tIFwiQHRhaWx3aW5kY3NzL3ZpdGVcIjtcbmltcG9ydCB7IGRlZmluZUNvbmZpZyB9IGZyb20gXCJ2aXRlXCI7XG5cbmV4cG9ydCBkZWZhdWx0IGRlZmluZUNvbmZpZyh7XG4gIHBsdWdpbnM6IFt0YWlsd2luZGNzcygpLCBzdmVsdGVraXQoKV0sXG4gIC8vIEtWIHNxbGl0ZSBmaWxlcyB1bmRlciB0aGUgcm9vdCB3b3VsZCB0cmlnZ2VyIGEgcGFnZSByZWxvYWQgb24gZXZlcnkgd3JpdGUuXG4gIHNlcnZlcjogeyB3YXRjaDogeyBpZ25vcmVkOiBbXCIqKi9kYXRhLyoqXCIsIFwiKiovLmRlbm8tZGVwbG95LyoqXCIsIFwiKiovdGVzdHMvKipcIl0gfSB9LFxufSk7XG4iXSwibWFwcGluZ3MiOiI7Ozs7QUFJQSxJQUFBLHNCQUFlLGFBQWE7Q0FDMUIsU0FBUyxDQUFDLFlBQVksR0FBRyxVQUFVLENBQUM7Q0FFcEMsUUFBUSxFQUFFLE9BQU8sRUFBRSxTQUFTO0VBQUM7RUFBYztFQUFzQjtDQUFhLEVBQUUsRUFBRTtBQUNwRixDQUFDIn0=