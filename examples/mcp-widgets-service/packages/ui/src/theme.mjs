export const theme = {
  accent: '#0b5fff',
  surface: '#ffffff',
  text: '#1b1f24',
  radius: '8px',
};
