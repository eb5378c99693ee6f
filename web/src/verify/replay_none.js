// replay_none.js: stands for the WebAssembly replay engine's module
// (web/wasm) in a dashboard built without it (OT_BUILD_WASM off): the
// pages then say that the figures were not recomputed.
export default null;
