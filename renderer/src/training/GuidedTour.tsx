// The guided tour: a floating card with one step of the workflow at a time and a ring round the
// control to use. It is not modal: the app stays usable underneath, because the trainer does
// each step for real. The ring follows the control as screens change; focus stays on the
// card's buttons and returns to "Start the guided tour" when the tour closes.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { firstFound } from './find-element.ts';
import { PublishActivityList, usePublishActivity } from './publish-activity.tsx';
import { TOUR_STEPS, type TourStep } from './tour-steps.ts';
import { useTourStore } from './tour-store.ts';
import { useTranslation } from '../i18n/index.ts';

/** How often the ring looks for its control again while screens change underneath. */
const FOLLOW_MS = 250;
const RING_GAP = 6;
/** The card's distance from the window's edges (1.25rem in styles.css). */
const CARD_MARGIN = 20;

interface Found {
  top: number;
  left: number;
  width: number;
  height: number;
  where: string;
  side: 'right' | 'left';
}

const sameFound = (a: Found | null, b: Found | null) =>
  a === b || (a !== null && b !== null && a.top === b.top && a.left === b.left && a.width === b.width && a.height === b.height && a.where === b.where && a.side === b.side);

const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** How much of `r` a card of the given size would cover in the bottom corner on `side`. */
function covered(r: DOMRect, card: { width: number; height: number }, side: 'left' | 'right'): number {
  const left = side === 'right' ? window.innerWidth - CARD_MARGIN - card.width : CARD_MARGIN;
  const top = window.innerHeight - CARD_MARGIN - card.height;
  const w = Math.min(r.right + RING_GAP, left + card.width) - Math.max(r.left - RING_GAP, left);
  const h = Math.min(r.bottom + RING_GAP, window.innerHeight - CARD_MARGIN) - Math.max(r.top - RING_GAP, top);
  return Math.max(0, w) * Math.max(0, h);
}

/**
 * Rings the step's control and keeps the ring on it through scrolling and screen changes; the
 * card sits in the bottom corner that hides less of the control, right unless left is better.
 */
function useStepTarget(step: TourStep, cardRef: RefObject<HTMLElement | null>): Found | null {
  const [found, setFound] = useState<Found | null>(null);
  useEffect(() => {
    let shown: HTMLElement | null = null;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const hit = firstFound(step.targets.map((t) => t.find));
      if (!hit) {
        shown = null;
        setFound(null);
        return;
      }
      if (hit.el !== shown) {
        shown = hit.el;
        const r = hit.el.getBoundingClientRect();
        // Bring a new control into view, unless it already is (no jumping while people scroll).
        if (r.top < 0 || r.bottom > window.innerHeight) hit.el.scrollIntoView({ block: 'center', behavior: reducedMotion() ? 'auto' : 'smooth' });
      }
      const r = hit.el.getBoundingClientRect();
      const card = { width: cardRef.current?.offsetWidth ?? 400, height: cardRef.current?.offsetHeight ?? 320 };
      const side = covered(r, card, 'left') < covered(r, card, 'right') ? 'left' : 'right';
      const next: Found = { top: r.top, left: r.left, width: r.width, height: r.height, where: step.targets[hit.index]?.where ?? '', side };
      setFound((was) => (sameFound(was, next) ? was : next));
    };
    const soon = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    soon();
    const timer = setInterval(soon, FOLLOW_MS);
    window.addEventListener('scroll', soon, true);
    window.addEventListener('resize', soon);
    return () => {
      cancelAnimationFrame(frame);
      clearInterval(timer);
      window.removeEventListener('scroll', soon, true);
      window.removeEventListener('resize', soon);
    };
  }, [step, cardRef]);
  return found;
}

function TourPublishing() {
  const items = usePublishActivity();
  const { t } = useTranslation();
  return (
    <div className="tour-card__publishing">
      <PublishActivityList items={items} idle={t('tourCard.idle')} />
    </div>
  );
}

function TourCard() {
  const { step, go, close } = useTourStore();
  const current = TOUR_STEPS[step] ?? TOUR_STEPS[0]!;
  const last = step === TOUR_STEPS.length - 1;
  const cardRef = useRef<HTMLDivElement>(null);
  const found = useStepTarget(current, cardRef);
  const titleId = useId();
  const textId = useId();
  const titleRef = useRef<HTMLHeadingElement>(null);
  const nextRef = useRef<HTMLButtonElement>(null);
  const { t } = useTranslation();

  // Opening the tour moves focus into the card; closing it gives focus back to where it started.
  useEffect(() => {
    titleRef.current?.focus();
    return () => {
      if (!document.activeElement || document.activeElement === document.body) document.querySelector<HTMLElement>('[data-tour-start]')?.focus();
    };
  }, []);

  useEffect(() => {
    current.onEnter?.();
  }, [current]);

  const back = () => {
    // Back is disabled on the first step; keep focus on a button that still works.
    if (step === 1) nextRef.current?.focus();
    go(step - 1);
  };
  const next = () => (last ? close() : go(step + 1));
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    }
  };

  return (
    <>
      {found ? (
        <div
          className="tour-ring"
          data-tour-ui
          aria-hidden="true"
          style={{ top: found.top - RING_GAP, left: found.left - RING_GAP, width: found.width + 2 * RING_GAP, height: found.height + 2 * RING_GAP }}
        />
      ) : null}
      <div ref={cardRef} className={`tour-card tour-card--${found?.side ?? 'right'}`} data-tour-ui role="dialog" aria-modal="false" aria-labelledby={titleId} aria-describedby={textId} onKeyDown={onKeyDown} data-testid="tour">
        <div className="tour-card__head">
          <p className="tour-card__count">
            {t('tourCard.step', { step: step + 1, total: TOUR_STEPS.length })}
          </p>
          <button type="button" className="tour-card__close" aria-label={t('tourCard.close')} onClick={close}>
            <span aria-hidden="true">✕</span>
          </button>
        </div>
        <div className="tour-card__meter" aria-hidden="true">
          <div className="tour-card__meter-fill" style={{ width: `${((step + 1) / TOUR_STEPS.length) * 100}%` }} />
        </div>
        <div aria-live="polite" className="tour-card__body">
          <h2 id={titleId} ref={titleRef} tabIndex={-1} className="tour-card__title">
            {t(current.title)}
          </h2>
          <p id={textId} className="tour-card__text">
            {t(current.text)}
          </p>
          <p className={`tour-card__where${found ? '' : ' tour-card__where--missing'}`} data-testid="tour-where">
            <span aria-hidden="true" className="tour-card__where-icon">
              {found ? '◎' : 'ℹ'}
            </span>
            <span>{found ? t(found.where) : t(current.missing)}</span>
          </p>
        </div>
        {current.showsPublishing ? <TourPublishing /> : null}
        <div className="tour-card__actions">
          <button type="button" className="button button--secondary" onClick={back} disabled={step === 0}>
            {t('tourCard.back')}
          </button>
          <button type="button" className="button" ref={nextRef} onClick={next}>
            {last ? t('tourCard.finish') : t('tourCard.next')}
          </button>
        </div>
      </div>
    </>
  );
}

export function GuidedTour() {
  const open = useTourStore((s) => s.open);
  return open ? <TourCard /> : null;
}
