import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer } from '../test-utils';
import { AliasEditor } from './alias-editor';

describe('AliasEditor', () => {
  it('on a model: lists aliases with their version and sets one on the picked version', async () => {
    const server = fakeServer({ 'registered-models/alias': () => ({}) });
    const onChange = vi.fn(() => Promise.resolve());
    render(<AliasEditor name="clf" aliases={[{ alias: 'champion', version: '2' }]} target={{ versions: ['2', '1'] }} onChange={onChange} />);
    expect(screen.getByRole('link', { name: 'v2' }).getAttribute('href')).toBe('#/models/clf/versions/2');
    const submit = screen.getByRole('button', { name: 'Set alias' });
    fireEvent.change(screen.getByLabelText('Alias'), { target: { value: ' challenger ' } });
    expect((submit as HTMLButtonElement).disabled).toBe(true); // no version picked yet
    fireEvent.change(screen.getByLabelText('Version for alias'), { target: { value: '1' } });
    fireEvent.click(submit);
    await waitFor(() => expect(onChange).toHaveBeenCalledTimes(1));
    expect(server.calls.map((c) => c.body)).toEqual([{ name: 'clf', alias: 'challenger', version: '1' }]);
    expect(screen.getByLabelText<HTMLInputElement>('Alias').value).toBe('');
  });

  it('on a version: sets aliases on that version and shows a failure', async () => {
    fakeServer({
      'registered-models/alias': () => {
        // fakeServer's protocol: a thrown {status, error_code, message} becomes that HTTP error.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { status: 400, error_code: 'INVALID_PARAMETER_VALUE', message: 'bad alias' };
      },
    });
    const onChange = vi.fn(() => Promise.resolve());
    render(<AliasEditor name="clf" aliases={[]} target={{ version: '3' }} onChange={onChange} />);
    expect(screen.getByText('No aliases point here.')).toBeTruthy();
    expect(screen.queryByLabelText('Version for alias')).toBeNull();
    fireEvent.change(screen.getByLabelText('New alias'), { target: { value: 'latest' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add alias' }));
    await screen.findByText(/bad alias/);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('removes an alias', async () => {
    const server = fakeServer({ 'registered-models/alias': () => ({}) });
    const onChange = vi.fn(() => Promise.resolve());
    render(<AliasEditor name="clf" aliases={[{ alias: 'champion', version: '3' }]} target={{ version: '3' }} onChange={onChange} />);
    fireEvent.click(screen.getByRole('button', { name: 'Remove alias champion' }));
    await waitFor(() => expect(onChange).toHaveBeenCalledTimes(1));
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]?.path).toBe('registered-models/alias');
  });
});
