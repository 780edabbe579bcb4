export * from '../cli/format';
