export * from './types.js';
export { DEVICES, REAL_DEVICES, deviceByName, type RealDeviceName } from './catalogue.js';
export { deviceFrames, realDeviceFrames, planDeviceRun, nameSeed } from './device-run.js';
export { renderDeviceFrame, deviceLayout, median } from './render-device.js';
export { renderSlideView, fieldsPerAxis, SLIDE_VIEW_DEFAULTS } from './slide-view.js';
export { shiftStain } from './stain.js';
export { jpegRoundTrip } from './jpeg.js';
export { loadBccdTestFields, loadTxlTestFields } from './sources.js';
