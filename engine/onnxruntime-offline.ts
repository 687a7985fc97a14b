/**
 * Turns off onnxruntime-node's telemetry. Since 1.22 it records events (each session's creation,
 * run times, the machine's figures, under a persistent device id) into
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime on Linux and macOS, queued for upload: not what
 * an app that promises no network and no trace of the user's work may leave behind. onnxruntime
 * reads ORT_DISABLE_TELEMETRY from the process's environment. A worker thread's `process.env` is
 * its own copy, so the variable must be set by the main thread before any thread loads
 * onnxruntime: the entry points (bin/hazeless.js, electron/main.ts) import this module first, and
 * backend-node.ts imports it before onnxruntime-node for every other caller.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';

export {};
