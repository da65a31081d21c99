// SPDX-License-Identifier: MIT
/** Browser stand-in for `node:fs`: the app never reads files; the deployment comes from the app server. */
const none = (name: string) => () => {
  throw new Error(`${name}: no file system in the browser`);
};
export const existsSync = () => false;
export const readFileSync = none("readFileSync");
export const readFile = none("readFile");
export const stat = none("stat");
export const mkdir = none("mkdir");
export const open = none("open");
export const rename = none("rename");
export const unlink = none("unlink");
export const writeFile = none("writeFile");
export default { existsSync, readFileSync };
