// The lines of a sanitisation report as the Library, the post preview and the review show them:
// in the active language, and for a code the catalogue does not know, the service's English
// sentence with the code one click away for IT.
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportFindings } from '../../../renderer/src/components/ReportFindings.tsx';
import { setLanguage } from '../../../renderer/src/i18n/index.ts';

afterAll(() => setLanguage('en'));

const known = { kind: 'location', code: 'image.gps-info', text: 'GPS information removed' };
const unknown = { kind: 'hidden-data', code: 'image.future-thing', text: 'A future kind of hidden data removed' };

describe('a sanitisation report on screen', () => {
  it('says a known finding in Estonian, with no details for IT', async () => {
    await setLanguage('et');
    const html = renderToStaticMarkup(<ReportFindings findings={[known]} testId="report" />);
    expect(html).toContain('Eemaldati GPS-andmed');
    expect(html).toContain('data-code="image.gps-info"');
    expect(html).not.toContain('<details');
  });

  it('shows an unknown finding in the service’s English, with its code in the details for IT', async () => {
    await setLanguage('et');
    const html = renderToStaticMarkup(<ReportFindings findings={[unknown]} />);
    expect(html).toContain('A future kind of hidden data removed');
    expect(html).toMatch(/<details[^>]*><summary>Üksikasjad IT-toele<\/summary><code>image\.future-thing<\/code><\/details>/);
  });
});
