// SPDX-License-Identifier: MIT
import { createContext, useContext } from "react";
import type { AppConfig } from "./config.ts";

export const ConfigContext = createContext<AppConfig | undefined>(undefined);

export function useConfig(): AppConfig {
  const c = useContext(ConfigContext);
  if (!c) throw new Error("useConfig outside ConfigContext");
  return c;
}
