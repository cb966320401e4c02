/**
 * BCCD's scale, the one the detector's thresholds and the tracker's pixel lengths were tuned on
 * (100x oil, 640x480 frames). Used where a camera's own scale is compared with it (src/track/scale.ts)
 * and as the training scale of a model card that records none (src/detect/calibration-state.ts).
 */

/** BCCD's median red cell in its 640x480 frames (annotated boxes, sqrt(w*h)). */
export const BCCD_RBC_DIAMETER_PX = 102;
/** The width of BCCD's frames. */
export const BCCD_FRAME_WIDTH_PX = 640;
/** The shorter side of BCCD's frames. */
export const BCCD_FRAME_SHORT_SIDE_PX = 480;
