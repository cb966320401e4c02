/** Device calibration: scale from red cells, field of view, colour, profiles (see types.ts). */
export * from './types.js';
export { DEFAULT_SCALE_CONFIG, DEFAULT_FIELD_CONFIG, type ScaleConfig, type FieldMaskConfig } from './config.js';
export { estimateScale, measureScaleEvidence, judgeScale, NO_RED_CELLS, type ScaleEvidence } from './scale.js';
export { detectFieldMask } from './field-mask.js';
export { FULL_FIELD, pointInField, pixelInField, boxInField, rasteriseField, forEachFieldPixel, fieldFraction, type FieldBox } from './field-region.js';
export { fitColourTransform, transformColour, DEFAULT_COLOUR_FIT_CONFIG, type CellColourReference, type ColourFitConfig } from './colour-fit.js';
export { applyColourTransform, IDENTITY_COLOUR_TRANSFORM } from './apply-colour.js';
export { Calibrator, DEFAULT_CALIBRATOR, type CalibrationState, type CalibrationStatus, type CalibratorOptions } from './calibrator.js';
export { readDeviceProfile, writeDeviceProfile, parseDeviceProfile, ProfileError } from './profile-file.js';
