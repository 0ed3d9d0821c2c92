// A modal dialog on the native <dialog>: the rest of the screen is inert while it is open,
// focus moves into it and returns to the button that opened it, and Escape closes it.
import { useEffect, useId, useRef, type ReactNode } from 'react';

export function Dialog({ title, onClose, children, actions, wide = false }: { title: string; onClose: () => void; children: ReactNode; actions: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // The first field if there is one, so staff can type straight away; otherwise the title.
    const first = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>('input, textarea, select') ?? dialog.querySelector<HTMLElement>('h2');
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog--wide' : ''}`}
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      onCancel={(e) => {
        // Escape: React decides when the dialog goes, so its state and the DOM stay in step.
        e.preventDefault();
        closeRef.current();
      }}
    >
      <h2 id={titleId} className="dialog__title" tabIndex={-1}>
        {title}
      </h2>
      <div className="dialog__body stack">{children}</div>
      <div className="dialog__actions">{actions}</div>
    </dialog>
  );
}
