import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { LookupTable } from '../api/lookups.ts';
import type { MapperState, MapperStore } from '../store/mapper-store.ts';

export interface MapperEnv {
  store: MapperStore;
  /** Lookup tables this flow can use (shared and its own). */
  tables: LookupTable[];
  /** Consultants may edit expression sources; clients see them read-only. */
  canEditCode: boolean;
}

export const MapperContext = createContext<MapperEnv | null>(null);

export function useMapperEnv(): MapperEnv {
  const env = useContext(MapperContext);
  if (!env) throw new Error('mapper component outside MapperContext');
  return env;
}

export function useMapper<T>(selector: (s: MapperState) => T): T {
  return useStore(useMapperEnv().store, selector);
}
