import { render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { Markdown } from './markdown';

test('an image in an answer is a link to it, never loaded', () => {
  const { container } = render(
    <Markdown
      text={'See ![the chart](https://tracker.example/pixel.png?u=1) and ![](https://tracker.example/b.png)'}
    />,
  );

  expect(container.querySelector('img')).toBeNull();
  const named = screen.getByRole('link', { name: 'the chart' });
  expect(named).toHaveAttribute('href', 'https://tracker.example/pixel.png?u=1');
  expect(named).toHaveAttribute('rel', 'noopener noreferrer');
  expect(screen.getByRole('link', { name: 'https://tracker.example/b.png' })).toHaveAttribute('target', '_blank');
});

test('links open outside the app without the opener', () => {
  render(<Markdown text={'[docs](https://docs.example/)'} />);

  const link = screen.getByRole('link', { name: 'docs' });
  expect(link).toHaveAttribute('target', '_blank');
  expect(link).toHaveAttribute('rel', 'noopener noreferrer');
});
