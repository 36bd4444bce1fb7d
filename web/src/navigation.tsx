// The address bar as app state: pages with their own sub-paths (/bulletins/<id>) read the path
// and move with navigate(), which keeps the browser's back button working.
import { createContext, useContext } from 'react';

export interface NavigationValue {
  path: string;
  navigate(path: string): void;
}

export const NavigationContext = createContext<NavigationValue>({
  path: '/',
  navigate: () => {},
});

export function useNavigation(): NavigationValue {
  return useContext(NavigationContext);
}
