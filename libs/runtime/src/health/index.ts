export * from './dependency-health-judge';
export * from './health-judge-metrics';
export * from './loop-delay-monitor';
export * from './probe-schedule';
