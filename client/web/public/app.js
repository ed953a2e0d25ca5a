// Enhancement only (every page works without it).
// - Focus the result banner, so a screen reader announces it and a keyboard user starts from it.
// - Directory: "Select all on this page" ticks the boxes in place, and "Offboard selected" says how
//   many as boxes are ticked ("Offboard selected (N)"; without JavaScript it names no number, since
//   the page cannot know what was ticked after it was drawn, and "Select all" is a round trip).
// - Review: Confirm is sent once (a second press would be answered by the same batch anyway).
// - Batch page: polls itself and swaps in the live part until the batch has finished.
document.addEventListener('DOMContentLoaded', () => {
  const banner = document.getElementById('banner');
  if (banner) banner.focus();

  const directory = document.getElementById('directory');
  const offboard = document.getElementById('offboard-selected');
  if (directory && offboard) {
    const boxes = () => Array.from(directory.querySelectorAll('input[type="checkbox"][name="userId"]'));
    const recount = () => {
      const kept = directory.querySelectorAll('input[type="hidden"][name="userId"]').length;
      const n = kept + boxes().filter((b) => b.checked).length;
      offboard.textContent = `Offboard selected (${n})`;
    };
    recount();
    directory.addEventListener('change', (e) => {
      if (e.target instanceof HTMLInputElement && e.target.name === 'userId') recount();
    });
    const selectPage = document.getElementById('select-page');
    if (selectPage) {
      selectPage.addEventListener('click', (e) => {
        e.preventDefault();
        const all = boxes();
        const every = all.every((b) => b.checked);
        for (const b of all) b.checked = !every;
        selectPage.textContent = every ? 'Select all on this page' : 'Unselect all on this page';
        recount();
      });
    }
  }

  const review = document.getElementById('review');
  if (review) {
    let sent = false;
    review.addEventListener('submit', (e) => {
      const confirm = e.submitter && e.submitter.name === 'confirm';
      if (!confirm) return;
      if (sent) {
        e.preventDefault();
        return;
      }
      sent = true;
      e.submitter.setAttribute('aria-busy', 'true');
    });
  }

  const live = document.getElementById('batch-live');
  if (live && live.dataset.poll) {
    const every = Math.max(2000, Number(live.dataset.poll) || 5000);
    const tick = async () => {
      if (document.hidden) return schedule();
      try {
        const r = await fetch(window.location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
        if (r.ok) {
          const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
          const next = doc.getElementById('batch-live');
          const current = document.getElementById('batch-live');
          if (next && current) {
            current.replaceWith(next);
            if (!next.dataset.poll) return; // finished: stop polling
          }
        }
      } catch {
        // offline for a moment: try again at the next tick
      }
      schedule();
    };
    const schedule = () => setTimeout(tick, every);
    schedule();
  }
});
