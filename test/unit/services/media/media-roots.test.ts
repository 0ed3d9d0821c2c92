import { describe, expect, it } from 'vitest';
import {
  defaultMediaRoots,
  isBelowRoot,
  normaliseRoot,
  rootContaining,
} from '../../../../electron/services/media/media-roots.ts';

describe('media roots', () => {
  it('uses the automount folders of udisks on Linux and /Volumes on macOS', () => {
    expect(defaultMediaRoots('linux', 'kiosk')).toEqual(['/media', '/media/kiosk', '/run/media/kiosk']);
    expect(defaultMediaRoots('linux', undefined)).toEqual(['/media', '/run/media']);
    expect(defaultMediaRoots('darwin', 'kiosk')).toEqual(['/Volumes']);
    expect(defaultMediaRoots('win32', 'kiosk')).toEqual([]);
  });

  it('ignores a user name that would escape the media folder', () => {
    expect(defaultMediaRoots('linux', '../etc')).toEqual(['/media', '/run/media']);
  });

  it('matches whole path components only', () => {
    expect(isBelowRoot('/media/kiosk/STICK', '/media/kiosk', 'linux')).toBe(true);
    expect(isBelowRoot('/media/kiosk/a/b', '/media/kiosk', 'linux')).toBe(true);
    expect(isBelowRoot('/media/kiosk2/STICK', '/media/kiosk', 'linux')).toBe(false);
    expect(isBelowRoot('/media/kiosk', '/media/kiosk', 'linux')).toBe(false);
    expect(isBelowRoot('/media', '/media/kiosk', 'linux')).toBe(false);
    expect(isBelowRoot('/Media/kiosk/X', '/media/kiosk', 'linux')).toBe(false);
  });

  it('compares Windows paths without regard to case', () => {
    expect(isBelowRoot('e:\\sticks\\COMMS', 'E:\\Sticks', 'win32')).toBe(true);
    expect(isBelowRoot('E:\\Sticks2\\COMMS', 'E:\\Sticks', 'win32')).toBe(false);
  });

  it('prefers the most specific root', () => {
    expect(rootContaining('/media/kiosk/A', ['/media', '/media/kiosk'], 'linux')).toBe('/media/kiosk');
    expect(rootContaining('/mnt/A', ['/media', '/media/kiosk'], 'linux')).toBeUndefined();
  });

  it('normalises configured roots and refuses ones that would match every mount', () => {
    expect(normaliseRoot('/srv/sticks/', 'linux')).toBe('/srv/sticks');
    expect(normaliseRoot('/srv//sticks/./', 'linux')).toBe('/srv/sticks');
    expect(normaliseRoot('/', 'linux')).toBeUndefined();
    expect(normaliseRoot('//', 'linux')).toBeUndefined();
    expect(normaliseRoot('relative/dir', 'linux')).toBeUndefined();
    expect(normaliseRoot('/a\0b', 'linux')).toBeUndefined();
    expect(normaliseRoot('C:\\', 'win32')).toBeUndefined();
    expect(normaliseRoot('\\\\server\\share', 'win32')).toBeUndefined();
    expect(normaliseRoot('E:\\Sticks\\', 'win32')).toBe('E:\\Sticks');
  });
});
