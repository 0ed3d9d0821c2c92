// Where the guided tour is: closed, or open at one step. It lives outside the screens so the
// tour carries on while the trainer moves between them, signs out and signs in again.
import { create } from 'zustand';
import { TOUR_STEPS } from './tour-steps.ts';

interface TourState {
  open: boolean;
  step: number;
  start(): void;
  go(step: number): void;
  close(): void;
}

export const useTourStore = create<TourState>((set) => ({
  open: false,
  step: 0,
  start: () => set({ open: true, step: 0 }),
  go: (step) => set({ step: Math.max(0, Math.min(TOUR_STEPS.length - 1, step)) }),
  close: () => set({ open: false }),
}));
