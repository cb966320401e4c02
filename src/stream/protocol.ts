/**
 * The leukoscan live-dashboard wire protocol: ONE module, shared by the server
 * (src/stream) and the browser UI (ui/src), validated with zod at both edges.
 *
 * Transport: one WebSocket at `/ws?token=…`.
 *  - Text messages are JSON, one `ClientMessage` (viewer → server) or one
 *    `ServerMessage` (server → viewer). Every message carries `v`, the protocol
 *    version; a message of another version is rejected with `unsupported_version`.
 *  - Binary messages flow server → viewer only and carry one video frame:
 *      [u32 big-endian header length][header: FrameHeader as UTF-8 JSON][JPEG bytes]
 *    (see `encodeFrameMessage` / `decodeFrameMessage`). A viewer that sends a
 *    binary message is disconnected (close 1003).
 *
 * Coordinates: boxes are [x1, y1, x2, y2] in pixels of the SOURCE frame
 * (`sourceWidth` x `sourceHeight`), not of the downscaled JPEG, so overlays stay
 * exact whatever size a viewer is sent. An overlay is tied to a frame by `seq`.
 *
 * This module must stay browser-safe: no node: imports.
 */
export * from './protocol/limits.js';
export * from './protocol/commands.js';
export * from './protocol/events.js';
export * from './protocol/parse.js';
export * from './protocol/frames.js';
